import SandboxCLI

await SandboxEntry.main()
