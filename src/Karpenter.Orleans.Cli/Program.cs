using Karpenter.Orleans.Cli;

return KarpoApp.Run(args, Console.Out, Console.Error);
