print("gravity-sim: not yet wired")
