// The Platform module; see DESIGN.md.
