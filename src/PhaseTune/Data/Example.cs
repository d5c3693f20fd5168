namespace PhaseTune.Data;

/// <summary>One labelled text or text pair, with where it came from for error messages.</summary>
public sealed record Example(string Text, string? Text2, string Label, string Source = "", int Line = 0)
{
    public string Where => Line > 0 ? $"{Source}:{Line}" : Source;
}
