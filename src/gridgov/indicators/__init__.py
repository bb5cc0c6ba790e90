"""The organisational-strength index, the three-rate evaluation and the dashboard."""
