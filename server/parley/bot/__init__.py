"""Knowledge base first: answer a visitor's question from the help center, or say so plainly."""
