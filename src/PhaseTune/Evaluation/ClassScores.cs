namespace PhaseTune.Evaluation;

public sealed record ClassScores(double Precision, double Recall, double F1, int Support);
