// The engine's users (CLI, check) see the kinds, their catalogue and `ProviderContext` through the engine.
@_exported import SandboxProviders
