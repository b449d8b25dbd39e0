// The Monitoring service; see DESIGN.md.
