import SandboxAWS
