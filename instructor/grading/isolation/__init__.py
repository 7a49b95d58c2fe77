"""Running untrusted notebooks: the guarded executor, the sandboxed kernel, bubblewrap."""
