from .engine import Engine, Execution, Flow

__all__ = ["Engine", "Execution", "Flow"]
