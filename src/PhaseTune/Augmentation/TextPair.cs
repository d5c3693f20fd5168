
namespace PhaseTune.Augmentation;

/// <summary>A Siamese training pair with its similarity target.</summary>
public sealed record TextPair(string A, string B, float Target);
