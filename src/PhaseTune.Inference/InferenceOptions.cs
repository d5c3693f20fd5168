namespace PhaseTune.Inference;

/// <summary>How an exported model runs.</summary>
/// <param name="Threads">OnnxRuntime's intra-op threads for one call; 0 lets it choose (one per physical core)</param>
/// <param name="BatchSize">texts per OnnxRuntime call at most</param>
/// <param name="SortByLength">run texts of similar length together (fewer padded tokens); results keep the input order</param>
public sealed record InferenceOptions(int Threads = 0, int BatchSize = 32, bool SortByLength = true)
{
    public static readonly InferenceOptions Default = new();
}
