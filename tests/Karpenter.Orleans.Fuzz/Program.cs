using Karpenter.Orleans.Fuzz;

return FuzzCommand.Run(args, Console.Out, Console.Error);
