"""What every vendor source shares: the HTTP layer, errors, instants."""
