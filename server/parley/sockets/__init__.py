"""The WebSocket edge: decode frames, call conversation, bot and routing, write frames back."""
