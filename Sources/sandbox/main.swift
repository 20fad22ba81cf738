import SandboxCLI

await SandboxCommand.main()
