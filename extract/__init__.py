"""nianbao: extract stage."""
