"""What the hub tests (tests/test_hub_cohort.py, tests/test_tljh_guide.py) need to run a real
JupyterHub and drive it."""
