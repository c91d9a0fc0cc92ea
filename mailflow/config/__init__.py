"""Program configuration: ``config.yaml`` loaded, validated and typed."""

from mailflow.config.load import load_config
from mailflow.config.model import (
           Config,
           FormField,
           MailboxConfig,
           OutboxConfig,
           Person,
           ServerConfig,
)

__all__ = ["Config", "FormField", "MailboxConfig", "OutboxConfig", "Person", "ServerConfig",
           "load_config"]
