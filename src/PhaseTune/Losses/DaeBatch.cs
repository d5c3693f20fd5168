using PhaseTune.Text;

namespace PhaseTune.Losses;

/// <summary>Noisy and clean views of the same sentences.</summary>
public sealed record DaeBatch(TokenBatch Noisy, TokenBatch Clean);
