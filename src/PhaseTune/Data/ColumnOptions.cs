namespace PhaseTune.Data;

/// <summary>Which columns (JSONL keys) hold the text(s) and label.</summary>
public sealed record ColumnOptions(string Text = "text", string Label = "label", string Text2 = "text2");
