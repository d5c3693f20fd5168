using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhaseTune.MultiTask;

public enum TaskKind { Single, PairClassification, PairRegression }
