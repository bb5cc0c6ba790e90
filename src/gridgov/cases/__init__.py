"""Cases: intake, classify, locate, route, workflow, deadlines, escalation."""
