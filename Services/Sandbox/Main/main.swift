print("Sandbox: not built yet")
