namespace PhaseTune.MultiTask;

public enum TaskKind { Single, PairClassification, PairRegression }
