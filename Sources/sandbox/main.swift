import SandboxCLI
