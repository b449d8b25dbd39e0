print("Monitoring: not built yet")
