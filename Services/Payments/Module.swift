// The Payments service; see DESIGN.md.
