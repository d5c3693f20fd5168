/// <summary>The body of POST /predict.</summary>
public sealed record PredictRequest(string[]? Texts);
