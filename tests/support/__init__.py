"""What the tests share: data they make, tiny checkpoints, the served app, the browser, the command line."""
