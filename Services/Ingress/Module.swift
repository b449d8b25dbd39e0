// The Ingress service; see DESIGN.md.
