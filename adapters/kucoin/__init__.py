"""KuCoin spot adapter."""
