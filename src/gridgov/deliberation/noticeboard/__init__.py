"""The notice board (公开栏), one module per concern; ``deliberation.notices`` gathers
its names with the flows that close notices."""
