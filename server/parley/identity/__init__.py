"""Who is talking: visitor tokens and ``user_hash``, agent passwords, sessions and roles."""
