print("gravity")
