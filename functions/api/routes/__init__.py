"""HTTP routes, one Router per resource; app.py mounts them under /v1."""
