/// <summary>One text's answer: its most probable label and that label's probability.</summary>
public sealed record Prediction(string Text, string Label, float Probability);
