
namespace PhaseTune.Augmentation;

public enum ImbalanceMode { Normal, Extra, None }
