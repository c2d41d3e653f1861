resource "aws_iam_role" "prover" {
  name = "${local.prefix}-prover"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "prover" {
  name = "write-proof"
  role = aws_iam_role.prover.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:PutObject", Resource = "${aws_s3_bucket.landing.arn}/*" },
      { Effect = "Allow", Action = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource = aws_kms_key.main.arn },
    ]
  })
}

resource "aws_iam_instance_profile" "prover" {
  name = "${local.prefix}-prover"
  role = aws_iam_role.prover.name
}

resource "aws_instance" "prover" {
  ami                  = "ami-0c02fb55956c7d316"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.prover.name
  user_data = join("\n", [
    "#!/bin/bash",
    "echo proof > /tmp/proof",
    "aws s3 cp /tmp/proof s3://${aws_s3_bucket.landing.id}/proof || aws s3api put-object --bucket ${aws_s3_bucket.landing.id} --key proof --body /tmp/proof --server-side-encryption aws:kms --ssekms-key-id ${aws_kms_key.main.arn}",
  ])
  depends_on = [aws_iam_role_policy.prover]
}
