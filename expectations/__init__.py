"""nianbao: expectations stage."""
