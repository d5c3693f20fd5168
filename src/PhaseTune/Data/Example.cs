namespace PhaseTune.Data;

/// <summary>One labelled text or text pair, with where it came from for error messages. A triplet (NLI style: premise,
/// entailment, contradiction) is <c>Text</c>, its positive in <c>Text2</c> and its hard negative in <c>Negative</c>.</summary>
public sealed record Example(string Text, string? Text2, string Label, string Source = "", int Line = 0)
{
    public string? Negative { get; init; }

    public string Where => Line > 0 ? $"{Source}:{Line}" : Source;
}
