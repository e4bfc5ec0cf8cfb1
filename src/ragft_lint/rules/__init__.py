"""The built-in rules, by family. They are registered through the same hook as any plugin."""
