namespace PhaseTune.Data;

/// <summary>Which columns (JSONL keys) hold the text(s) and label; <c>Positive</c> and <c>Negative</c> make a row a
/// triplet (text, positive, hard negative), which needs no label.</summary>
public sealed record ColumnOptions(string Text = "text", string Label = "label", string Text2 = "text2", string Positive = "positive", string Negative = "negative");
