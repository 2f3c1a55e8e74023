"""The devnet: configuration, orchestration, admin server and the ``Network`` API."""

from __future__ import annotations

from .config import AccountsConfig, ChainPlan, L1Config, NetworkConfig, NodeConfig, RollupsConfig
from .network import ChainHandle, Network
from .node import Node
from .orchestrator import Orchestrator, ShutdownError
from .sources import load_network_config, load_node_config

__all__ = [
    "AccountsConfig",
    "ChainHandle",
    "ChainPlan",
    "L1Config",
    "Network",
    "NetworkConfig",
    "Node",
    "NodeConfig",
    "Orchestrator",
    "RollupsConfig",
    "ShutdownError",
    "load_network_config",
    "load_node_config",
]
