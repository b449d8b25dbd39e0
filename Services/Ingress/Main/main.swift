print("Ingress: not built yet")
