from .engine import Engine, Execution

__all__ = ["Engine", "Execution"]
