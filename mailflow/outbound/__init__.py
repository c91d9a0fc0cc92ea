"""What goes out: templates, composing, the persistent outbox and the transports."""
