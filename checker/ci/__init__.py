"""What CI jobs run: the gate and the pull-request comment (`checker ci`)."""
