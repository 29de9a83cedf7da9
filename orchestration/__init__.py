"""nianbao: orchestration stage."""
