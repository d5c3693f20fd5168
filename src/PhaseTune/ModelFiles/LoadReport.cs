namespace PhaseTune.ModelFiles;

/// <summary>What a load did beside filling the model: checkpoint tensors it did not use (heads such as
/// lm_head.* or cls.*) and model tensors the checkpoint lacked and that kept their fresh initialisation.</summary>
public sealed record LoadReport(string Source, IReadOnlyList<string> Unused, IReadOnlyList<string> NewlyInitialized);
