"""What the cohort test (tests/test_hub_cohort.py) needs to run a real JupyterHub and drive it."""
