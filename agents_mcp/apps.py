from django.apps import AppConfig


class AgentsMcpConfig(AppConfig):
    name = "agents_mcp"
    verbose_name = "MCP server for agents"
